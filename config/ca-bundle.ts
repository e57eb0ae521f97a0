// The admin's CA bundle for registries with a private CA (IMAGESPEC_REGISTRY_CA_FILE): PEM
// certificates trusted besides the system's, by the controller's pushes and lookups and by the
// build step's base image pulls. Pure: the caller reads the file.
import { X509Certificate } from 'node:crypto';

/**
 * The bundle travels in every build Pod's context (certificates are public), whose annotations
 * share a 256 KiB limit with the package lists: a bundle of a few private CAs fits many times over.
 */
export const MAX_CA_BUNDLE_BYTES = 32 * 1024;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

export type CaBundle = { ok: true; pem: string; subjects: string[] } | { ok: false; error: string };

/** The certificates of `text`, each checked, joined as one PEM bundle; or why it cannot be used. */
export function parseCaBundle(text: string): CaBundle {
  if (Buffer.byteLength(text) > MAX_CA_BUNDLE_BYTES) return { ok: false, error: `is larger than ${MAX_CA_BUNDLE_BYTES / 1024} KiB: keep only the CAs of your registries` };
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return { ok: false, error: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  const subjects: string[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      const certificate = new X509Certificate(block);
      subjects.push(certificate.subject.replaceAll('\n', ', '));
    } catch (error) {
      return { ok: false, error: `certificate ${index + 1} cannot be read: ${(error as Error).message}` };
    }
  }
  return { ok: true, pem: `${blocks.map((block) => block.replaceAll('\r', '')).join('\n')}\n`, subjects };
}
