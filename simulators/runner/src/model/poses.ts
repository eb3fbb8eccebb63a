import type { Mat3, Vec3 } from './rotation.ts';
import type { SideIndex } from './steps.ts';

/**
 * What a sensor model needs of a body: the segments' true poses at any time
 * (orientation segment→world, and the segment origin in world metres: the
 * mid-hip for the pelvis, the ankle joint for a shank). The running body and
 * the movement-screen body both provide it, so both are seen through the same IMUs.
 */
export interface SegmentPoses {
  pelvisPose(tS: number, rOut: Mat3, pOut: Vec3): void;
  shankPose(side: SideIndex, tS: number, rOut: Mat3, ankleOut: Vec3): void;
}
