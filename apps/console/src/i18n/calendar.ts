import { useSyncExternalStore } from 'react';

export type Calendar = 'persian' | 'gregory';
const KEY = 'bf.calendar';
const listeners = new Set<() => void>();

function read(): Calendar {
  return localStorage.getItem(KEY) === 'gregory' ? 'gregory' : 'persian';
}

/** The Persian user's calendar (Solar Hijri by default, Gregorian if they prefer), kept per browser. */
export function useCalendar(): [Calendar, (c: Calendar) => void] {
  const value = useSyncExternalStore((cb) => {
    listeners.add(cb);
    return () => listeners.delete(cb);
  }, read);
  const set = (c: Calendar) => {
    localStorage.setItem(KEY, c);
    listeners.forEach((l) => l());
  };
  return [value, set];
}
