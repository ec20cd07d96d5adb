// Placeholder so the build library exists before its issue lands; remove when real sources arrive.
namespace mycompose::build {
const char* module_name() { return "build"; }
}  // namespace mycompose::build
