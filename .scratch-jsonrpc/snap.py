import json,collections,sys
def agg(path):
    d=json.load(open(path)); m=d['snapshot']['meta']; f=m['node_fields']; n=len(f)
    types=m['node_types'][0]; strs=d['strings']; nodes=d['nodes']
    ti=f.index('type'); ni=f.index('name'); si=f.index('self_size')
    c=collections.Counter(); k=collections.Counter()
    for i in range(0,len(nodes),n):
        t=types[nodes[i+ti]]; name=strs[nodes[i+ni]] if t in ('object','closure','native','hidden','array') else t
        key=(t,name[:60]); c[key]+=nodes[i+si]; k[key]+=1
    return c,k
a,ak=agg('/tmp/jrt/a.heapsnapshot'); b,bk=agg('/tmp/jrt/b.heapsnapshot')
diff=collections.Counter({key:b[key]-a.get(key,0) for key in b})
tot=sum(diff.values()); print('total KB/session', tot/1024/1000)
for key,v in diff.most_common(30): print(f"{v/1000:8.0f} B/sess  n/sess {(bk[key]-ak.get(key,0))/1000:6.1f}  {key}")
