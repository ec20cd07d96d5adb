// Placeholder so the daemon library exists before its issue lands; remove when real sources arrive.
namespace mycompose::daemon {
const char* module_name() { return "daemon"; }
}  // namespace mycompose::daemon
