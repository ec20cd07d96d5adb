#pragma once
// Which keys of a canonical model the engine honours (compose/normalize/supported.cpp is the
// one list): `up` warns about the others.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::compose {

// Keys present in the model that the engine does not honour yet, as paths: "models",
// "services.web.blkio_config". x-* extensions are never reported.
std::vector<std::string> unsupported_keys(const nlohmann::ordered_json& model);

}  // namespace mycompose::compose
