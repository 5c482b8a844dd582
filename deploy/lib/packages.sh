# ensure_packages PKG...: installs the missing Debian packages when run as root; otherwise names them and fails.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) == 0 ]]; then
    echo "==> installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Registry needs these Debian packages: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

require_dotnet() {
  command -v dotnet >/dev/null && return 0
  echo "The .NET 10 SDK is needed: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  return 1
}
