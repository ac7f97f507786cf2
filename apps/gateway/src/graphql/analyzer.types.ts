import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from './json.scalar';

// The analyzer's resources, field for field as its REST views; nested metrics, gates, evidence and
// actions are JSON with the REST API's shapes (as in graphql.types.ts).

@ObjectType({ description: 'A registered model version (GET /api/models/:name/versions items)' })
export class ModelVersion {
  @Field() name!: string;
  @Field(() => Int) version!: number;
  @Field({ description: 'candidate, production or archived' }) stage!: string;
  @Field(() => JSONScalar, { description: 'validation metrics (MAE, MAPE, p90 coverage, baseline …)' }) metrics!: unknown;
  @Field(() => JSONScalar) trainingWindow!: unknown;
  @Field(() => [String]) features!: string[];
  @Field() featureSchemaHash!: string;
  @Field() backend!: string;
  @Field(() => JSONScalar) artifact!: unknown;
  @Field() artifactFormat!: string;
  @Field() createdAt!: string;
  @Field() createdBy!: string;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field() stageChangedAt!: string;
}

@ObjectType({ description: 'A stage change in the registry audit trail' })
export class ModelStageChange {
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field() to!: string;
  @Field({ description: 'register, promote, rollback or archive' }) reason!: string;
  @Field() at!: string;
  @Field() by!: string;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => JSONScalar, { nullable: true, description: "the deploy gate's verdict on a promotion" }) gate?: unknown;
}

@ObjectType({ description: 'A model with its production version (GET /api/models items)' })
export class ModelSummary {
  @Field() name!: string;
  @Field(() => Int, { description: 'how many versions are registered' }) versions!: number;
  @Field(() => ModelVersion, { nullable: true }) production!: ModelVersion | null;
  @Field(() => Int) revision!: number;
}

@ObjectType({ description: 'Every version of a model, oldest first, and the stage history (GET /api/models/:name/versions)' })
export class ModelVersions {
  @Field() name!: string;
  @Field(() => [ModelVersion]) versions!: ModelVersion[];
  @Field(() => [ModelStageChange]) history!: ModelStageChange[];
}

@ObjectType({ description: 'Drift reports of a model and the policy that judges them (GET /api/models/:name/drift)' })
export class ModelDrift {
  @Field() name!: string;
  @Field(() => JSONScalar, { nullable: true }) policy!: unknown;
  @Field(() => [JSONScalar]) reports!: unknown[];
}

@ObjectType({ description: 'The duration estimate made when a task was queued (GET /api/predictions/:taskId)' })
export class Prediction {
  @Field(() => ID) taskId!: string;
  @Field() signature!: string;
  @Field(() => Float) p50Ms!: number;
  @Field(() => Float) p90Ms!: number;
  @Field() model!: string;
  @Field() modelVersion!: string;
  @Field(() => Int) basedOn!: number;
  @Field() estimatedAt!: string;
}

@ObjectType({ description: 'Task patterns: k-means clusters over recent succeeded tasks (GET /api/patterns)' })
export class PatternReport {
  @Field(() => Int) tasks!: number;
  @Field(() => Int) k!: number;
  @Field(() => [JSONScalar]) patterns!: unknown[];
  @Field(() => JSONScalar) silhouetteByK!: unknown;
}

@ObjectType({ description: 'Anomaly scores of one node metric over the window (GET /api/anomalies items)' })
export class AnomalyStream {
  @Field() nodeId!: string;
  @Field() metric!: string;
  @Field(() => Int) points!: number;
  @Field(() => Float, { nullable: true }) latest!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => String, { nullable: true }) maxAt!: string | null;
  @Field(() => Int) samplesSeen!: number;
  @Field({ description: 'still in its probationary period (scores 0)' }) learning!: boolean;
}

@ObjectType({ description: 'A diagnosis and what was decided (GET /api/diagnoses items)' })
export class Diagnosis {
  @Field(() => ID) id!: string;
  @Field() ruleId!: string;
  @Field(() => JSONScalar) target!: unknown;
  @Field(() => Float) confidence!: number;
  @Field() explanation!: string;
  @Field(() => JSONScalar) evidence!: unknown;
  @Field(() => JSONScalar) action!: unknown;
  @Field({ description: 'sent, dry-run or suppressed' }) outcome!: string;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) actionId!: string | null;
  @Field() decidedBy!: string;
  @Field() decidedAt!: string;
}

@ObjectType()
export class DiagnosisPage {
  @Field(() => [Diagnosis]) items!: Diagnosis[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

@ObjectType({ description: 'A diagnosis rule (GET /api/diagnosis/rules items)' })
export class DiagnosisRule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field() enabled!: boolean;
  @Field({ description: 'node or queue' }) target!: string;
  @Field({ description: 'all or any' }) match!: string;
  @Field(() => [JSONScalar]) conditions!: unknown[];
  @Field(() => JSONScalar) action!: unknown;
  @Field(() => Int) minSamples!: number;
}
