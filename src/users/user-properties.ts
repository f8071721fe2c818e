// The rule lives with groups (the lower layer) so that users and groups share one merge.
export { mergeProperties, PROPERTY_TYPES } from '../groups/property-merge';
