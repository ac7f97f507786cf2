// Explanations of model predictions: TreeSHAP attributions, permutation importance, their registry encoding.
export * from './explain/explain.errors';
export * from './explain/tree-shap.explainer';
export * from './explain/permutation-importance';
export * from './explain/feature-importance.metrics';
export * from './explain/prediction-explanation.builder';
