// The package ships no type declarations; it exports one parser of the Prometheus text format.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
