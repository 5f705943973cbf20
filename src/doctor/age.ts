/** "45 s", "12 min", "3.0 h", "4 days": ages as a person reads them (formatDuration is for run times). */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const min = s / 60;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${Math.floor(h / 24)} days`;
}
