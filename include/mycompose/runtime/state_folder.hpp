#pragma once
// How state folders are removed (runtime/<id>, and the scheduler's containers/<id>).

namespace mycompose::runtime {

// A state folder is renamed to <parent>/.removing~<id> before it is deleted, so no reader
// finds it half gone; one left behind is a removal that was killed ('~' is never in a
// container id).
inline constexpr const char* kRemovingPrefix = ".removing~";

}  // namespace mycompose::runtime
