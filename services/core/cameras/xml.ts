import { XMLParser } from 'fast-xml-parser';

/**
 * Namespace prefixes differ between vendors (tt:, onvif:, ns2:…), so they are dropped; values stay
 * strings so a serial like "00012" keeps its zeros. Entities (&amp;) are decoded by the parser.
 */
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

export type XmlNode = Record<string, unknown>;

export function parseXml(text: string): XmlNode {
  // Some firmwares send a broken declaration (curly quotes); the declaration carries nothing we need.
  return parser.parse(text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '')) as XmlNode;
}

/** Follows a path of element names, taking the first element wherever a list appears. */
export function pick(node: unknown, ...path: string[]): unknown {
  let cur = node;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as XmlNode)[key];
  }
  return cur;
}

export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of an element, whether it came as a string or as an object with attributes. */
export function text(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return String((v as XmlNode)['#text']);
  return undefined;
}

/** Some firmwares wrap URIs across lines or pad them; a URI never holds raw whitespace. */
export function cleanUri(v: unknown): string | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  const u = t.replace(/\s+/g, '');
  return u || undefined;
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
