import { SchedulingError } from '../model/errors';
import { ConsistentHashPlacement } from './consistent-hash.placement';
import { LeastConnectionsPlacement, LeastLoadedPlacement } from './least-loaded.placement';
import { BestFitPlacement, TetrisPlacement } from './packing.placement';
import type { PlacementStrategy } from './placement-strategy';
import { RoundRobinPlacement, WeightedRoundRobinPlacement } from './round-robin.placement';

export const PLACEMENT_NAMES = [
  'round-robin',
  'weighted-round-robin',
  'least-loaded',
  'least-connections',
  'consistent-hash',
  'tetris',
  'best-fit',
] as const;
export type PlacementName = (typeof PLACEMENT_NAMES)[number];

export function createPlacement(name: string): PlacementStrategy {
  switch (name) {
    case 'round-robin':
      return new RoundRobinPlacement();
    case 'weighted-round-robin':
      return new WeightedRoundRobinPlacement();
    case 'least-loaded':
      return new LeastLoadedPlacement();
    case 'least-connections':
      return new LeastConnectionsPlacement();
    case 'consistent-hash':
      return new ConsistentHashPlacement();
    case 'tetris':
      return new TetrisPlacement();
    case 'best-fit':
      return new BestFitPlacement();
    default:
      throw new SchedulingError('UNKNOWN_PLACEMENT', `unknown placement "${name}" (known: ${PLACEMENT_NAMES.join(', ')})`);
  }
}
