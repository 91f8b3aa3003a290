import json,sys,collections
p=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in p['nodes']}
dt=collections.Counter()
samples=p['samples']; deltas=p['timeDeltas']
for s,d in zip(samples,deltas): dt[s]+=d
self_t=collections.Counter()
for nid,t in dt.items():
    cf=nodes[nid]['callFrame']; self_t[(cf['functionName'] or '(anon)', cf['url'].split('/')[-1], cf['lineNumber'])]+=t
tot=sum(self_t.values())
for k,v in self_t.most_common(35): print(f"{v/tot*100:5.1f}% {k}")
