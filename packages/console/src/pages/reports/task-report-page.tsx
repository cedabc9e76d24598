export function TaskReportPage() { return null; }
