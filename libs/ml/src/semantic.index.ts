// Semantic task features: tokens of a task's name, command, arguments, labels and output → dense columns.
export * from './semantic/semantic.errors';
export * from './semantic/murmur3.hash';
export * from './semantic/task-text.tokenizer';
export * from './semantic/hashed-ngram.vectorizer';
export * from './semantic/sparse-ridge.regressor';
export * from './semantic/semantic-features.extractor';
