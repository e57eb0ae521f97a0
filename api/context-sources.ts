// The kinds of spec.build.context source, by their field name: the schema's exactly-one rule, the
// admin's IMAGESPEC_BUILD_CONTEXT_SOURCES and the controller all read this list.
export const CONTEXT_SOURCE_KINDS = ['configMap', 'persistentVolumeClaim', 'url'] as const;
export type ContextSourceKind = (typeof CONTEXT_SOURCE_KINDS)[number];

/** The source kind a context names (the schema lets an ImageSpec name exactly one); undefined for none this version knows. */
export function contextSourceKind(context: Partial<Record<ContextSourceKind, unknown>>): ContextSourceKind | undefined {
  return CONTEXT_SOURCE_KINDS.find((kind) => context[kind] !== undefined);
}
