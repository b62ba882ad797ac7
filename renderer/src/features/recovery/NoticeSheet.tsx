import { useEffect, useMemo, useState } from 'react';
import { when } from '../network/sync';

export interface Notice { noticeId: string; networkCaseId: string; url: string; expiresAt: number; qrSvg: string; caseId: number }

// The SVG comes from the network: shown through <img> (never injected into the page) so it cannot run script.
const svgUrl = (svg: string) => `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

/** Draws the QR onto a canvas for a PNG download (printers and phones that dislike SVG). */
async function toPng(src: string, size = 720): Promise<string> {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.drawImage(img, 0, 0, size, size);
  return canvas.toDataURL('image/png');
}

/** A generated notice: the QR code, its link and expiry, printable on its own. */
export function NoticeSheet({ notice, onClose }: { notice: Notice; onClose(): void }) {
  const src = useMemo(() => svgUrl(notice.qrSvg), [notice.qrSvg]);
  const [png, setPng] = useState<string>();
  useEffect(() => {
    setPng(undefined);
    toPng(src).then(setPng, () => setPng(undefined));
  }, [src]);
  return (
    <section className="card rc-notice rc-print" aria-label={`Notice for case ${notice.caseId}`}>
      <div className="rc-notice-body">
        <img className="rc-qr" src={src} alt={`QR code for the payment link of case ${notice.caseId}`} />
        <div>
          <h2>Payment notice for case #{notice.caseId}</h2>
          <p>Scan the code to see the incident and settle the amount owed to the store.</p>
          <p className="sx-url"><a href={notice.url} target="_blank" rel="noreferrer">{notice.url}</a></p>
          <p className="dim">Link valid until {when(notice.expiresAt)}.</p>
          <div className="row rc-noprint">
            <button className="btn primary" type="button" onClick={() => window.print()}>Print</button>
            <a className="btn" href={src} download={`penny-notice-case-${notice.caseId}.svg`}>Download SVG</a>
            {png && <a className="btn" href={png} download={`penny-notice-case-${notice.caseId}.png`}>Download PNG</a>}
            <button className="btn ghost" type="button" onClick={onClose}>Close</button>
          </div>
        </div>
      </div>
    </section>
  );
}
