export function TaskDetailPage() { return null; }
