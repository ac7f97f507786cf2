/** True for base64 or base64url text (padding optional) that decodes to exactly 32 bytes (an AES-256 key). */
export function isBase64Key32(text: string): boolean {
  const t = text.trim();
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) && Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32;
}
