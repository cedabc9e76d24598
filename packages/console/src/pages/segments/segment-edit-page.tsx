export function SegmentEditPage() { return null; }
