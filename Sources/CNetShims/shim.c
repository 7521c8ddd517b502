// Every shim is a static inline function in include/CNetShims.h; SwiftPM needs one source file.
