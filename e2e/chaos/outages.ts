// The control-plane outages a chaos run plays: IMAGESPEC_CHAOS_OUTAGES=kube-apiserver:5,etcd:60.
import type { RestartableComponent } from '../cluster/cluster.ts';

export interface Outage {
  component: RestartableComponent;
  seconds: number;
}

export function parseOutages(text: string): Outage[] {
  return text.split(',').map((item) => {
    const [component, seconds] = item.trim().split(':');
    if ((component !== 'kube-apiserver' && component !== 'etcd') || !/^[0-9]+$/.test(seconds ?? '')) {
      throw new Error(`IMAGESPEC_CHAOS_OUTAGES: "${item}" is not kube-apiserver:<seconds> or etcd:<seconds>`);
    }
    return { component, seconds: Number(seconds) };
  });
}
