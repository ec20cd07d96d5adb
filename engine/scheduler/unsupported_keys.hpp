#pragma once
// What `up` warns about before it converges: every key of the model the engine does not
// honour yet (compose/normalize/supported.cpp keeps the list), and settings it accepts but
// ignores (an AppArmor or SELinux security_opt: this engine has no LSM support).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::scheduler {

// One warning text per key, in the model's order, e.g.
// `service "web": blkio_config is not supported yet and is ignored`.
std::vector<std::string> unsupported_key_warnings(const nlohmann::ordered_json& model);

}  // namespace mycompose::scheduler
