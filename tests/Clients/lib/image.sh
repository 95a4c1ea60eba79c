# image.sh - build the busybox test image locally (no registry is reachable), in three forms:
#   $IMAGE_DIR/rootfs/        the root filesystem (busybox-static plus a passwd with a non-root user)
#   $IMAGE_DIR/rootfs.tar     the same as a plain tar, for `podman import` and `docker import`
#   $IMAGE_DIR/oci.tar        an OCI image layout archive (one uncompressed layer), for `ctr image import`
# Sourced by run.sh after lib/common.sh (CTR_IMAGE); needs jq, sha256sum and tar.

# build_image DIR: fills DIR with the three forms above.
build_image() {
  local dir=$1 rootfs=$1/rootfs
  mkdir -p "$rootfs"/{bin,etc,tmp,root,home/tester,proc,sys,dev}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'tester:x:1000:1000:tester:/home/tester:/bin/sh' \
    'nobody:x:65534:65534:nobody:/:/bin/false' >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'tester:x:1000:' 'nogroup:x:65534:' >"$rootfs/etc/group"
  chown 1000:1000 "$rootfs/home/tester"
  # Fixed order, owner and time so the layer digest is the same on every run.
  tar --sort=name --numeric-owner --mtime=@0 -C "$rootfs" -cf "$dir/rootfs.tar" .
  build_oci_archive "$dir" "$dir/rootfs.tar" "$dir/oci.tar"
}

# build_oci_archive WORKDIR LAYER_TAR OUT: an OCI image layout (oci-layout, index.json, blobs/sha256/*)
# holding one image whose only layer is LAYER_TAR, tarred to OUT. ctr names the imported image after
# the io.containerd.image.name annotation of the index entry.
build_oci_archive() {
  local work=$1/oci layer=$2 out=$3
  mkdir -p "$work/blobs/sha256"
  local layer_digest layer_size config config_digest manifest manifest_digest
  layer_digest=$(sha256sum "$layer" | cut -d' ' -f1)
  layer_size=$(stat -c %s "$layer")
  cp "$layer" "$work/blobs/sha256/$layer_digest"
  config=$(jq -cn --arg diff "sha256:$layer_digest" '{
    architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"] },
    rootfs: { type: "layers", diff_ids: [$diff] } }')
  config_digest=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$work/blobs/sha256/$config_digest"
  manifest=$(jq -cn --arg cd "sha256:$config_digest" --argjson cs "${#config}" \
    --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs },
    layers: [ { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls } ] }')
  manifest_digest=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
  printf '%s' "$manifest" >"$work/blobs/sha256/$manifest_digest"
  jq -cn --arg md "sha256:$manifest_digest" --argjson ms "${#manifest}" --arg name "$CTR_IMAGE" '{
    schemaVersion: 2,
    manifests: [ { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      platform: { architecture: "amd64", os: "linux" },
      annotations: { "io.containerd.image.name": $name, "org.opencontainers.image.ref.name": "latest" } } ] }' \
    >"$work/index.json"
  printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  tar --sort=name --numeric-owner --mtime=@0 -C "$work" -cf "$out" oci-layout index.json blobs
}
