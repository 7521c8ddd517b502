# How the bramble users run is built (sourced, not run): scripts/package builds the .deb's
# binaries with these flags, and the benchmarks (scripts/bench-lib.sh, bench_bramble) build
# the same binary, so what they measure is what a hub runs.
#
#   --static-swift-stdlib      the Swift runtime linked in: the hub needs no Swift toolchain,
#                              and only the runtime's pages the daemon touches are mapped,
#                              not the whole of each shared library (libswiftCore.so alone
#                              was 5 MiB of bramble serve's resident set).
#   -use-ld=lld                the toolchain's lld (it ships with Swift): gold, the default,
#                              has no packed relative relocations.
#   -z pack-relative-relocs    DT_RELR (glibc 2.36, Debian 12): a position-independent
#                              binary's ~46,000 relative relocations as a 9 KiB bitmap
#                              instead of 1.1 MiB of Elf64_Rela the loader reads at start.
#   --no-export-dynamic        the Swift static-stdlib link exports every symbol of the
#                              program (static-stdlib-args.lnk); the loader then reads a
#                              700 KiB dynamic symbol table at start. Nothing dlopens
#                              bramble, so nothing needs them.
#   -function-sections, --symbol-ordering-file scripts/lib/serve-symbol-order.txt
#                              each function in a section of its own, and the functions
#                              `bramble serve` runs (scripts/serve-symbol-order lists them)
#                              placed together at the start of .text: the kernel maps code in
#                              windows of 64-256 KiB around each page touched, so the
#                              daemon's 1 MiB of code scattered over 12 MiB of .text kept
#                              6.4 MiB of it resident.
#   -z relro -z now            linked as Debian hardens binaries: a read-only GOT, bound at
#                              start (RELRO, BIND_NOW).
#   libstdc++ linked in        the Swift runtime is C++ but calls only a few dozen functions
#                              of libstdc++ (std::string, operator new, guards); loaded as
#                              libstdc++.so.6 it kept 1.0 MiB resident (its relocations,
#                              symbol tables and locale set-up), linked in about 0.1 MiB.
#                              The runtime's static-stdlib-args.lnk asks for -lstdc++, so a
#                              directory searched first (-L, given to swiftc so it precedes
#                              the toolchain's) holds a libstdc++.so that is a linker script
#                              naming the static archive (GNU ld's INPUT command, which lld
#                              reads too). The GCC Runtime Library Exception allows it.
# docs/benchmarks.md ("Memory: what is resident") has the measurements.

# The build directory both share: a package built after a benchmark only relinks.
release_scratch=.build-package
release_static_cxx=$PWD/$release_scratch/static-libstdc++
mkdir -p "$release_static_cxx"
release_libstdcxx=$(clang -print-file-name=libstdc++.a)
[ -f "$release_libstdcxx" ] || { echo "release-build: no libstdc++.a (the libstdc++-12-dev package) for clang to link" >&2; exit 1; }
echo "INPUT($release_libstdcxx)" >"$release_static_cxx/libstdc++.so"
release_flags=(
    -c release --static-swift-stdlib --scratch-path "$release_scratch" -Xswiftc "-L$release_static_cxx"
    -Xswiftc -use-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections
    -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
    -Xlinker "--symbol-ordering-file=$PWD/scripts/lib/serve-symbol-order.txt" -Xlinker --no-warn-symbol-ordering
    -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
)

# release_build PRODUCT: builds PRODUCT as above (output on standard error) and prints the
# path of its executable.
release_build() {
    swift build "${release_flags[@]}" --product "$1" >&2
    echo "$(swift build "${release_flags[@]}" --show-bin-path)/$1"
}
