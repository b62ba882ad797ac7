export type EventListener = (name: string, payload: unknown) => void;

/** In-process fan-out of contract events to whichever transports are attached. */
export class EventBus {
  private listeners = new Set<EventListener>();
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(name: string, payload: unknown): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // A broken subscriber (a closed socket) must not break the command that emitted.
      }
    }
  }
}
