/** The small part of @cycjimmy/jsmpeg-player (JSMpeg 0.2) the live view uses; the package ships no types. */
declare module '@cycjimmy/jsmpeg-player' {
  export interface JSMpegOptions {
    canvas?: HTMLCanvasElement;
    source?: new (url: string, options: JSMpegOptions) => unknown;
    audio?: boolean;
    disableGl?: boolean;
    disableWebAssembly?: boolean;
    pauseWhenHidden?: boolean;
    reconnectInterval?: number;
    videoBufferSize?: number;
    onVideoDecode?: (decoder: unknown, elapsedTime: number) => void;
  }
  export class Player {
    constructor(url: string, options?: JSMpegOptions);
    destroy(): void;
  }
  export class WebSocketSource {
    constructor(url: string, options: JSMpegOptions);
    onClose(ev?: unknown): void;
  }
  const JSMpeg: { Player: typeof Player; Source: { WebSocket: typeof WebSocketSource } };
  export default JSMpeg;
}
