export function TaskWizardPage() { return null; }
