// The kinds of spec.build.context source, by their field name: the schema's exactly-one rule, the
// admin's IMAGESPEC_BUILD_CONTEXT_SOURCES and the controller all read this list.
export const CONTEXT_SOURCE_KINDS = ['configMap', 'persistentVolumeClaim'] as const;
export type ContextSourceKind = (typeof CONTEXT_SOURCE_KINDS)[number];
