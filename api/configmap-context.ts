// A ConfigMap as a build context (spec.build.context.configMap): its files and the digest of their
// content. The ImageSpec controller hashes the content into the revision and records the digest in
// the ImageSpecJob; the build endpoint serves the files only while they still have that digest, so
// a build never mixes one revision's name with another revision's content.
import { createHash } from 'node:crypto';

/** The parts of a ConfigMap a context is made of. */
export interface ConfigMapContent {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** File name -> bytes: `data` as UTF-8 text, `binaryData` decoded from base64. */
export function configMapFiles(configMap: ConfigMapContent): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const [name, text] of Object.entries(configMap.data ?? {})) files[name] = Buffer.from(text, 'utf8');
  for (const [name, base64] of Object.entries(configMap.binaryData ?? {})) files[name] = Buffer.from(base64, 'base64');
  return files;
}

/**
 * SHA-256 over the files in name order, each as its name, a NUL, its length in decimal, a NUL and
 * its bytes: unambiguous, and independent of whether a file came as data or binaryData.
 */
export function contextDigest(files: Record<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    const content = files[name]!;
    hash.update(`${name}\0${content.length}\0`, 'utf8');
    hash.update(content);
  }
  return hash.digest('hex');
}
