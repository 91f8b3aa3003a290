import json,sys,collections
d=json.load(open('/tmp/jrt/b.heapsnapshot')); m=d['snapshot']['meta']; f=m['node_fields']; n=len(f)
ef=m['edge_fields']; en=len(ef); et=m['edge_types'][0]
types=m['node_types'][0]; strs=d['strings']; nodes=d['nodes']; edges=d['edges']
ti=f.index('type'); ni=f.index('name'); eci=f.index('edge_count')
N=len(nodes)//n
first=[0]*N; acc=0
for i in range(N): first[i]=acc; acc+=nodes[i*n+eci]
rev=collections.defaultdict(list)
for i in range(N):
    for e in range(first[i], first[i]+nodes[i*n+eci]):
        to=edges[e*en+2]//n; typ=et[edges[e*en]]; nm=edges[e*en+1]
        name=strs[nm] if typ not in ('element','hidden') else str(nm)
        rev[to].append((i,typ,name))
def nm(i): return f"{types[nodes[i*n+ti]]}:{strs[nodes[i*n+ni]][:50]}"
target=sys.argv[1]
cands=[i for i in range(N) if strs[nodes[i*n+ni]]==target and types[nodes[i*n+ti]]=='object']
print(len(cands))
i=cands[len(cands)//2]
seen=set()
for depth in range(12):
    rs=[r for r in rev[i] if r[1] not in ('weak',)]
    print(depth, nm(i), '<-', [(nm(r[0]), r[1], r[2]) for r in rs[:4]])
    if not rs: break
    # prefer non-system retainer
    i=rs[0][0]
    if i in seen: break
    seen.add(i)
print('---- BFS to a named root')
from collections import deque
start=cands[len(cands)//2]
q=deque([(start,[])]); seen={start}
while q:
    i,path=q.popleft()
    nmi=nm(i)
    if any(k in nmi for k in ('McpServer','Session','WebStandard','FaultyTransport','Protocol','Server:','Map')) and i!=start and len(path)>0:
        print(' <- '.join(path+[nmi])); break
    for r in rev[i]:
        if r[1]=='weak' or r[0] in seen: continue
        seen.add(r[0]); q.append((r[0], path+[f"{nmi} [{r[1]}:{r[2]}]"]))
