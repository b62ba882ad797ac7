import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The MIT face photos from face-api.js (fixtures/faces/PROVENANCE.md): tests only, never the demo. */
export const FACES = fileURLToPath(new URL('../../fixtures/faces/face-api-examples', import.meta.url));
export const IDENTITIES = readdirSync(FACES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
export const photo = (id: string, n: number) => join(FACES, id, `${id}${n}.png`);
export const group = (n: number) => join(FACES, `bbt${n}.jpg`);

/** A short real H.264 clip of a still photo, framed on a grey canvas as a camera would see it. */
export function stillClip(image: string, out: string, seconds = 2): string {
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', image, '-t', String(seconds), '-r', '10',
    '-vf', 'pad=450:450:150:150:gray,format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', out,
  ]);
  return out;
}
