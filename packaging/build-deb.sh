#!/usr/bin/env bash
# Builds tracejoin_VERSION_ARCH.deb at the repository root (`make package`; docs/packaging.md).
#
#   bash packaging/build-deb.sh [VERSION]
#
# VERSION (argument or environment): the package version; by default `git describe --tags`
# (a leading "v" dropped), or 0.1.0+git<short sha> when no tag reaches HEAD, or 0.1.0 outside
# git. BUILD_PATH (default .build-package): SwiftPM's build directory for this build, apart
# from `make release`'s .build/, since the Swift runtime is linked statically here; the staging
# tree is BUILD_PATH/deb. SWIFT (default swift): the swift driver.
#
# The binary links the Swift runtime and Foundation statically (--static-swift-stdlib): Debian's
# archive has no Swift runtime to depend on. Its other shared libraries (PCRE2, SQLite, zstd,
# the C and C++ runtimes) are Debian's, and the package depends on them by name: each library
# `ldd` lists is mapped to its package with `dpkg -S`.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
BUILD_PATH=${BUILD_PATH:-.build-package}
MAX_BINARY_BYTES=$((40 * 1000 * 1000))   # the target: the stripped binary under 40 MB

log() { echo "build-deb: $*"; }
die() { echo "build-deb: error: $*" >&2; exit 1; }

# --- the version ------------------------------------------------------------------------------
VERSION=${1:-${VERSION:-}}
if [ -z "$VERSION" ]; then
    # A tag if one reaches HEAD (`--always` would give a bare commit name, which may start with
    # a digit and pass for a version).
    described=$(git describe --tags 2>/dev/null || git rev-parse --short HEAD 2>/dev/null || true)
    if [[ $described =~ ^v?[0-9]+\. ]]; then
        # v1.2.0 → 1.2.0; v1.2.0-3-gabc1234 → 1.2.0+3.gabc1234 (no "-": there is no Debian revision)
        VERSION=${described#v}
        VERSION=${VERSION/-/+}
        VERSION=${VERSION//-/.}
    elif [ -n "$described" ]; then
        VERSION="0.1.0+git$described"
    else
        VERSION=0.1.0
    fi
fi
[[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]] \
    || die "version '$VERSION' is not a Debian version (a digit first, then letters, digits and . + ~)"
ARCH=$(dpkg --print-architecture)
DEB="tracejoin_${VERSION}_${ARCH}.deb"
log "version $VERSION, architecture $ARCH"

for tool in dpkg-deb strip ldd; do
    command -v "$tool" >/dev/null || die "$tool is missing (dpkg-deb: package dpkg; strip: binutils; ldd: libc-bin)"
done

# --- the binary ---------------------------------------------------------------------------------
# Linked without exporting every symbol (SwiftPM's executables export all 65,000 of them, which
# also keeps them from --gc-sections): 6.7 MB less, stripped (docs/packaging.md, "Size").
LINK=(-Xlinker --no-export-dynamic -Xlinker --gc-sections)
log "$SWIFT build -c release --product tracejoin --static-swift-stdlib ${LINK[*]} --build-path $BUILD_PATH"
"$SWIFT" build -c release --product tracejoin --static-swift-stdlib "${LINK[@]}" --build-path "$BUILD_PATH"
BUILT="$BUILD_PATH/release/tracejoin"    # SwiftPM's link to <triple>/release
[ -x "$BUILT" ] || die "no binary at $BUILT"

STAGE="$BUILD_PATH/deb"
rm -rf "$STAGE"
umask 022
install -d "$STAGE/DEBIAN" "$STAGE/usr/bin"
install -m 0755 "$BUILT" "$STAGE/usr/bin/tracejoin"
strip --strip-unneeded "$STAGE/usr/bin/tracejoin"
BIN="$STAGE/usr/bin/tracejoin"
BIN_BYTES=$(stat -c %s "$BIN")

# --- Depends: the package of each shared library the binary loads ------------------------------
# dpkg knows a file by the path its package ships it at, which after the /usr merge may be the
# /usr/lib or the /lib spelling of what ldd printed, or the file a symbolic link leads to.
package_of() {
    local lib=$1 candidate real
    real=$(readlink -f "$lib")
    for candidate in "$lib" "${lib#/usr}" "/usr$lib" "$real" "${real#/usr}" "/usr$real"; do
        [ -n "$candidate" ] || continue
        # "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6" (several packages: "a, b: path")
        if out=$(dpkg -S "$candidate" 2>/dev/null | grep -v '^diversion by' | head -1) && [ -n "$out" ]; then
            out=${out%%: *}
            out=${out%%,*}
            echo "${out%%:*}"
            return 0
        fi
    done
    return 1
}

declare -A DEPENDS=()
unpackaged=()
while read -r name _ path _; do
    case $name in
        linux-vdso.so.*|linux-gate.so.*) continue ;;   # the kernel's, not a file
    esac
    # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)", or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    [[ $path == /* ]] || path=$name
    [[ $path == /* ]] || { unpackaged+=("$name (not found)"); continue; }
    if pkg=$(package_of "$path"); then
        DEPENDS[$pkg]=1
        log "  $name → $pkg"
    else
        unpackaged+=("$path")
    fi
done < <(ldd "$BIN")
if [ ${#unpackaged[@]} -gt 0 ]; then
    die "the binary loads libraries no Debian package provides: ${unpackaged[*]}
  (a Swift runtime library here means it was not linked statically; see docs/packaging.md)"
fi
# The postinst creates the tracejoin user with adduser.
DEPENDS_LINE=$(printf '%s\n' "${!DEPENDS[@]}" adduser | sort -u | paste -sd, | sed 's/,/, /g')

# --- completions, from the binary itself (swift-argument-parser) ---------------------------------
install -d "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
    "$STAGE/usr/share/fish/vendor_completions.d"
"$BIN" --generate-completion-script bash > "$STAGE/usr/share/bash-completion/completions/tracejoin"
"$BIN" --generate-completion-script zsh > "$STAGE/usr/share/zsh/vendor-completions/_tracejoin"
"$BIN" --generate-completion-script fish > "$STAGE/usr/share/fish/vendor_completions.d/tracejoin.fish"
for f in "$STAGE/usr/share/bash-completion/completions/tracejoin" "$STAGE/usr/share/zsh/vendor-completions/_tracejoin" \
    "$STAGE/usr/share/fish/vendor_completions.d/tracejoin.fish"; do
    [ -s "$f" ] || die "the binary wrote no completion script to $f"
    chmod 0644 "$f"
done

# --- configuration (conffiles), unit, tmpfiles.d ------------------------------------------------
install -d "$STAGE/etc/tracejoin/rules.d" "$STAGE/etc/tracejoin/patterns.d"
install -m 0644 packaging/tracejoin.yaml "$STAGE/etc/tracejoin/tracejoin.yaml"
install -m 0644 packaging/example.yaml.disabled "$STAGE/etc/tracejoin/rules.d/example.yaml.disabled"
install -m 0644 config/patterns.d/README.grok "$STAGE/etc/tracejoin/patterns.d/README.grok"
install -D -m 0644 packaging/tracejoin.service "$STAGE/lib/systemd/system/tracejoin.service"
install -D -m 0644 packaging/tmpfiles.conf "$STAGE/usr/lib/tmpfiles.d/tracejoin.conf"

# --- documentation and licences -----------------------------------------------------------------
DOC="$STAGE/usr/share/doc/tracejoin"
install -d "$DOC/docs" "$DOC/licenses"
install -m 0644 README.md "$DOC/README.md"
install -m 0644 docs/*.md "$DOC/docs/"        # README's links (docs/…) resolve beside it
install -m 0644 packaging/copyright "$DOC/copyright"
# The Swift runtime's licence, from the toolchain that linked it in.
swift_license="$(dirname "$(readlink -f "$(command -v swiftc || command -v "$SWIFT")")")/../share/swift/LICENSE.txt"
if [ -f "$swift_license" ]; then
    install -D -m 0644 "$swift_license" "$DOC/licenses/swift/LICENSE.txt"
else
    log "warning: no LICENSE.txt beside the Swift toolchain ($swift_license)"
fi
# Each Swift package the build resolved: its LICENSE and NOTICE files.
for checkout in "$BUILD_PATH"/checkouts/*/; do
    name=$(basename "$checkout")
    for f in "$checkout"LICENSE* "$checkout"LICENCE* "$checkout"NOTICE* "$checkout"COPYING*; do
        if [ -f "$f" ]; then install -D -m 0644 "$f" "$DOC/licenses/$name/$(basename "$f")"; fi
    done
done

# --- DEBIAN/ ------------------------------------------------------------------------------------
for script in postinst prerm postrm; do
    install -m 0755 "packaging/$script" "$STAGE/DEBIAN/$script"
done
(cd "$STAGE" && find etc -type f | sort | sed 's|^|/|') > "$STAGE/DEBIAN/conffiles"
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: tracejoin
Version: $VERSION
Architecture: $ARCH
Maintainer: Tracejoin developers <tracejoin@localhost>
Section: admin
Priority: optional
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS_LINE
Description: joins log lines with the trace spans they were written under
 Tracejoin is a daemon that tails the log files its rule files name, parses
 each line with grok rules (PCRE2, JIT), receives spans from tracers on a Unix
 socket and on loopback ports (Datadog, OTLP over HTTP and gRPC, Zipkin), and
 answers "show me this trace, and under each span the log lines it wrote",
 with exact 64- and 128-bit trace IDs, on one host and with no SaaS backend.
 It serves a query API, Jaeger's query API and a web view on loopback.
EOF

# --- the package --------------------------------------------------------------------------------
# The repository root holds one package (packaging/test-package.sh installs tracejoin_*.deb).
for old in tracejoin_*.deb; do
    if [ -f "$old" ] && [ "$old" != "$DEB" ]; then log "removing the earlier $old"; rm -f "$old"; fi
done
dpkg-deb --root-owner-group --build "$STAGE" "$DEB"

log "built $PWD/$DEB ($(stat -c %s "$DEB") bytes)"
log "Depends: $DEPENDS_LINE"
log "binary /usr/bin/tracejoin: $BIN_BYTES bytes ($((BIN_BYTES / 1000000)) MB, stripped)"
if [ "$BIN_BYTES" -ge "$MAX_BINARY_BYTES" ]; then
    echo "build-deb: WARNING: the binary is $BIN_BYTES bytes, not under the 40 MB target ($MAX_BINARY_BYTES);" \
        "packaging/test-package.sh will fail on it (docs/packaging.md, \"Size\")" >&2
    echo "build-deb: its largest symbols (from the unstripped $BUILT):" >&2
    nm -S --size-sort "$BUILT" 2>/dev/null | tail -n 12 | while read -r _ hex _ name; do
        printf '    %10d bytes  %s\n' "0x$hex" "$name" >&2
    done || true
fi
