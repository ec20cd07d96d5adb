// Placeholder so the scheduler library exists before its issue lands; remove when real sources arrive.
namespace mycompose::scheduler {
const char* module_name() { return "scheduler"; }
}  // namespace mycompose::scheduler
