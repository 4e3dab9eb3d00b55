# shellcheck shell=bash
# Sourced by the scripts that install Debian packages when missing (postgres-, redis-, ceph-rgw-start.sh,
# ensure-tools.sh, ensure-chromium.sh). On a fresh machine several of them install in one run of the test
# command; apt-get update costs seconds to minutes each time, so a run refreshes the package lists once:
# the run names a marker file in APT_UPDATED_MARKER (share_apt_update), the first install updates and
# creates it, the installs after it see it and skip the update. A script run on its own, without the
# variable, updates as before.

# Installs packages (no recommends, quietly), refreshing the package lists first unless this run already did.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED_MARKER:-}" ] || [ ! -e "$APT_UPDATED_MARKER" ]; then
    apt-get update -qq
    if [ -n "${APT_UPDATED_MARKER:-}" ]; then touch "$APT_UPDATED_MARKER"; fi
  fi
  apt-get install -y -qq --no-install-recommends "$@"
}

# Makes the scripts this one starts share one apt-get update, unless an outer run (scripts/test.sh)
# already does; the marker goes when this script exits (end_apt_update_share, also for a caller that
# replaces the EXIT trap later).
share_apt_update() {
  [ -z "${APT_UPDATED_MARKER:-}" ] || return 0
  # In a directory of its own (mktemp -d): a predictable name in /tmp could be made by someone else first.
  apt_owned_dir=$(mktemp -d /tmp/apt-updated.XXXXXX)
  export APT_UPDATED_MARKER=$apt_owned_dir/updated
  trap end_apt_update_share EXIT
}

# Removes the marker share_apt_update made here, never one an outer run owns.
end_apt_update_share() {
  if [ -n "${apt_owned_dir:-}" ]; then rm -rf "$apt_owned_dir"; fi
}
