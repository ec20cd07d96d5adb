// Placeholder so the health library exists before its issue lands; remove when real sources arrive.
namespace mycompose::health {
const char* module_name() { return "health"; }
}  // namespace mycompose::health
