#pragma once
// Stage "merge": several Compose files (or an `extends` base and its service) → one tree,
// with Compose's override rules (as compose-go's override package):
//   - mappings merge key by key, sequences append, scalars are replaced;
//   - command, entrypoint, healthcheck.test are replaced whole;
//   - environment, labels, annotations, sysctls, build.args… merge by key, in list or map
//     syntax (map+map stays a map; otherwise both become `KEY=value` lists);
//   - depends_on, networks (list or map) merge as maps; build as a string is {context: …};
//   - logging options merge only when the driver is the same; ulimits.* are replaced;
//   - a value tagged `!reset` removes the key, one tagged `!override` replaces it whole;
//   - a null override keeps the base value.
// enforce_unicity then keeps one entry per key/target in the sequences that need it
// (ports, volumes, secrets, configs, devices, env_file, dns, tmpfs, cap_add, …): the last
// definition wins, at the place of the first.
#include <string>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// `override` laid over `base`, both whole Compose documents. Keys still tagged `!reset`
// are dropped from the result and the `!reset`/`!override` tags are cleared.
Node merge_files(const Node& base, const Node& override);

// One service definition laid over another (extends): same rules as under services.<name>.
Node merge_service(const Node& base, const Node& override);

// Removes repeated entries (by key or target) from the sequences Compose keeps unique.
// Errors are ComposeError at the entry (a volume without target…).
Node enforce_unicity(const Node& document);

// Drops keys tagged `!reset` and clears `!reset`/`!override` tags everywhere.
Node strip_merge_tags(const Node& document);

}  // namespace mycompose::compose
