// The VM's network plan. qemu's user network is set to the link-local range, like EC2's, so the
// instance metadata address 169.254.169.254 can be a forward of its own (slirp only forwards
// addresses inside its network). Every address below is a guestfwd to a service on host loopback.

export const GUEST_NET = "169.254.0.0/16";
export const GUEST_GATEWAY = "169.254.0.2";
export const GUEST_DNS = "169.254.0.3";
export const GUEST_DHCP_START = "169.254.0.15";

/** The package mirror: Debian on :80 under /debian, the npm registry on :8080 at its root. */
export const MIRROR_ADDR = "169.254.0.100";
export const DEBIAN_MIRROR_PORT = 80;
export const NPM_MIRROR_PORT = 8080;
export const DEBIAN_MIRROR_URL = `http://${MIRROR_ADDR}/debian`;
export const NPM_MIRROR_URL = `http://${MIRROR_ADDR}:${NPM_MIRROR_PORT}`;
/** The stand-in Tailscale apt repository (packageMirror.tailscaleRepo). */
export const TAILSCALE_REPO_PORT = 8081;
export const TAILSCALE_REPO_URL = `http://${MIRROR_ADDR}:${TAILSCALE_REPO_PORT}`;

/** Every *.amazonaws.com name resolves here: TLS (a test-CA certificate) in front of moto server. */
export const AWS_ADDR = "169.254.0.101";
/** The VM's resolver, over TCP (guestfwd forwards TCP only): *.amazonaws.com -> AWS_ADDR, all else NXDOMAIN. */
export const DNS_ADDR = "169.254.0.103";
/** moto server again, answering as the instance metadata service (role credentials). */
export const IMDS_ADDR = "169.254.169.254";

/** virtio-serial port name of the test agent inside the VM. */
export const AGENT_PORT = "org.clawkeep.agent";
export const AGENT_DEVICE = `/dev/virtio-ports/${AGENT_PORT}`;

/** The state volume's id in the VM: the second virtio disk carries it (without the dash) as its serial, as Nitro's NVMe does. */
export const TEST_STATE_VOLUME_ID = "vol-0c1a3e5e7a9b1d2f4";
