import { useEffect, useRef, useState } from 'react';
import JSMpeg from '@cycjimmy/jsmpeg-player';
import { api, ApiError } from '../../api/client';
import './live-tile.css';

type State = 'connecting' | 'live' | 'ended';

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));

/**
 * Stops the camera's stream now if nobody else is watching it. The hub stops an unwatched stream
 * by itself after cameras.liveIdleSeconds; this only saves that wait, and never cuts off another viewer.
 */
async function stopIfUnwatched(cameraId: number): Promise<void> {
  const running = (await api.call('cameras.liveStatus', {})).find((s) => s.cameraId === cameraId);
  if (running && running.viewers === 0) await api.call('cameras.liveStop', { id: cameraId });
}

/**
 * A camera playing live in a canvas: cameras.liveStart gives a ticketed loopback WebSocket carrying
 * MPEG-TS, decoded by JSMpeg. Plain JavaScript decoding on a 2D canvas: the strict CSP blocks
 * the WebAssembly decoder JSMpeg would otherwise compile, and a 2D canvas can be read back.
 */
export function LiveTile({ cameraId, name, manager }: { cameraId: number; name: string; manager: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<State>('connecting');
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    let cancelled = false;
    let player: InstanceType<typeof JSMpeg.Player> | undefined;
    void (async () => {
      try {
        const live = await api.call('cameras.liveStart', { id: cameraId });
        const el = canvas.current;
        if (cancelled || !el) return;
        let frames = 0;
        // JSMpeg's WebSocket source only retries on close; this one reports the end instead, since
        // the ticket is single-use in spirit and a fresh liveStart is the way back.
        class Source extends JSMpeg.Source.WebSocket {
          override onClose(ev?: unknown) {
            super.onClose(ev);
            if (!cancelled) setState('ended');
          }
        }
        player = new JSMpeg.Player(live.url, {
          canvas: el,
          source: Source,
          audio: false,
          disableGl: true,
          disableWebAssembly: true,
          pauseWhenHidden: false,
          reconnectInterval: 0,
          onVideoDecode: () => {
            frames += 1;
            el.dataset.frames = String(frames);
            if (frames === 1) setState('live');
          },
        });
      } catch (e) {
        if (!cancelled) {
          setError(asError(e));
          setState('ended');
        }
      }
    })();
    return () => {
      cancelled = true;
      player?.destroy();
      if (manager) setTimeout(() => void stopIfUnwatched(cameraId).catch(() => undefined), 300);
    };
  }, [cameraId, manager]);
  const word = error ? error.message : state === 'connecting' ? 'Connecting…' : state === 'live' ? 'Live' : 'Stream ended. Close and press Live again.';
  return (
    <div className="lv-tile">
      <canvas ref={canvas} className="lv-canvas" aria-label={`Live view of ${name}`} data-state={state} />
      <span className={`lv-state lv-${error ? 'error' : state}`} role="status">{word}</span>
    </div>
  );
}
