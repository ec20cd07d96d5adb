// ProjectState's part in anonymous volumes (see project_state.hpp): what remove() does with
// the volumes of the container it removes.
#include "project_state.hpp"
#include "volume_sources.hpp"

namespace mycompose::scheduler {

void ProjectState::release_anonymous_volumes(const std::string& id, const std::string& name) {
  // Deleted without a progress line: docker removes them with the container (RemoveVolumes).
  if (remove_anonymous_volumes) {
    scheduler::remove_anonymous_volumes(store, root, id);
    return;
  }
  if (!renew_anonymous_volumes) anonymous_handover.put(name, anonymous_volumes(root, id));
}

}  // namespace mycompose::scheduler
