#pragma once
// Knowing a container again when its container.json is torn or lost: create writes the
// whole record into the OCI spec's annotations too.
#include <map>
#include <optional>
#include <string>

#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {

// containers/<id>/container.json, and the annotation of the container's OCI spec that holds
// the same record.
inline constexpr const char* kContainerRecordFile = "container.json";
inline constexpr const char* kRecordAnnotation = "org.mycompose.container";

// From the spec's annotations: the record annotation, else (bundles made before it) the
// Compose labels, named <project>-<service>-<number>. None when neither is there.
std::optional<ContainerRecord> record_from_annotations(const std::string& id, const std::map<std::string, std::string>& annotations);

}  // namespace mycompose::scheduler
