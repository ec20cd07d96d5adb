// Placeholder so the net library exists before its issue lands; remove when real sources arrive.
namespace mycompose::net {
const char* module_name() { return "net"; }
}  // namespace mycompose::net
