// Placeholder so the image library exists before its issue lands; remove when real sources arrive.
namespace mycompose::image {
const char* module_name() { return "image"; }
}  // namespace mycompose::image
