/** Applies the theme: 'system' follows the OS; the choice is remembered per machine. */
export function applyTheme(theme = localStorage.getItem('penny.theme') ?? 'system') {
  const dark = theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
export function setTheme(theme: 'system' | 'dark' | 'light') {
  localStorage.setItem('penny.theme', theme);
  applyTheme(theme);
}
