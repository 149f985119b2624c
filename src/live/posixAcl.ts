// `cp -a`, `rsync -A`, `tar --acls` set a file's POSIX ACL (xattr system.posix_acl_access) after
// creating it, even when it says no more than the mode does. libfuse 2 cannot have the kernel
// enforce ACLs, so the writable mount keeps only what a mode can say: an ACL made of the owner,
// group (or mask) and other entries is a chmod, as on file systems that store ACLs; one naming
// users or groups is refused (EOPNOTSUPP), and the program falls back to the mode.
//
// The value's layout (Linux, include/uapi/linux/posix_acl_xattr.h): a 4-byte version (2), then
// 8 bytes per entry: tag (u16), permissions (u16, rwx), id (u32), all little-endian.

/** The name of the ACL xattrs: system.posix_acl_access and system.posix_acl_default. */
export const POSIX_ACL = 'system.posix_acl_';

const VERSION = 2;
const USER_OBJ = 0x01, GROUP_OBJ = 0x04, MASK = 0x10, OTHER = 0x20;

/** The permission bits (0o777) an access ACL amounts to, or undefined when no mode can say it. */
export function aclMode(value: Buffer): number | undefined {
  if (value.length < 4 || (value.length - 4) % 8 !== 0 || value.readUInt32LE(0) !== VERSION) return undefined;
  const perms = new Map<number, number>();
  for (let at = 4; at < value.length; at += 8) {
    const tag = value.readUInt16LE(at);
    if (![USER_OBJ, GROUP_OBJ, MASK, OTHER].includes(tag) || perms.has(tag)) return undefined;
    perms.set(tag, value.readUInt16LE(at + 2) & 7);
  }
  const user = perms.get(USER_OBJ), group = perms.get(MASK) ?? perms.get(GROUP_OBJ), other = perms.get(OTHER);
  if (user === undefined || group === undefined || other === undefined) return undefined;
  return (user << 6) | (group << 3) | other;
}
