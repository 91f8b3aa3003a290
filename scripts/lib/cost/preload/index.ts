/**
 * The cost probe's preload (`node --import <bundle of this file>` before the target's bundle): what makes a
 * target's instruction count repeat from run to run without touching the target's code. See each module; the
 * native clocks are frozen from outside (frozen-clock.ts).
 */
import { fixedRandomUUIDs } from './fixed-ids.ts';
import { installVirtualClock } from './install-clock.ts';

installVirtualClock();
fixedRandomUUIDs();
