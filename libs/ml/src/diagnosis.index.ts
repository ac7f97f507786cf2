// Diagnosis rules (data), the rule engine with explained confidence, and the repair decision policy.
export * from './diagnosis/diagnosis-rule.schema';
export * from './diagnosis/rule-engine';
export * from './diagnosis/repair-decision.policy';
