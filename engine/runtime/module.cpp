// Placeholder so the runtime library exists before its issue lands; remove when real sources arrive.
namespace mycompose::runtime {
const char* module_name() { return "runtime"; }
}  // namespace mycompose::runtime
