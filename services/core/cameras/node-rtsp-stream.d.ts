// node-rtsp-stream ships no types; Penny uses only its ffmpeg MPEG-1/TS muxer.
declare module 'node-rtsp-stream/mpeg1muxer.js' {
  import type { EventEmitter } from 'node:events';
  import type { ChildProcess } from 'node:child_process';
  interface Mpeg1MuxerOptions {
    url: string;
    ffmpegPath: string;
    ffmpegOptions?: Record<string, string | number>;
  }
  class Mpeg1Muxer extends EventEmitter {
    constructor(options: Mpeg1MuxerOptions);
    stream: ChildProcess;
  }
  export default Mpeg1Muxer;
}
