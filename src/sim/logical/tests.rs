use crate::Cluster;

#[test]
fn a_second_initdb_counts_its_own_transaction_ids() {
    let mut c = Cluster::new(1);
    let p = c.host_id("primary").unwrap();
    let s = c.add_host("sub").unwrap();
    assert_eq!(c.allocate_xid(p), 724);
    assert_eq!(c.allocate_xid(p), 725);
    c.initdb_cluster(s);
    assert_ne!(
        c.host(s).data.as_ref().unwrap().system_id,
        c.host(p).data.as_ref().unwrap().system_id
    );
    assert_eq!(c.peek_xid(s), 724);
    assert_eq!(c.allocate_xid(s), 724);
    assert_eq!(c.peek_xid(p), 726);
}
