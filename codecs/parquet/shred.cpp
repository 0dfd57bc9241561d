#include "parquet/shred.hpp"

namespace sluice::parquet {
namespace {

void collect(const WriteNode& n, LeafPath& cur, std::vector<LeafPath>& out) {
  cur.nodes.push_back(&n);
  if (n.kind == WriteNode::Kind::kLeaf) {
    LeafPath p = cur;
    p.leaf = n.leaf;
    out.push_back(std::move(p));
  } else {
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      cur.child.push_back(static_cast<int>(i));
      collect(n.children[i], cur, out);
      cur.child.pop_back();
    }
  }
  cur.nodes.pop_back();
}

// The array of nodes[d + 1] inside the array `a` of nodes[d].
const ArrayData* child_array(const LeafPath& p, std::size_t d, const ArrayData& a) {
  switch (p.nodes[d]->kind) {
    case WriteNode::Kind::kStruct:
    case WriteNode::Kind::kList: {
      const std::size_t k = p.nodes[d]->kind == WriteNode::Kind::kList ? 0 : static_cast<std::size_t>(p.child[d]);
      return k < a.children.size() ? a.children[k].get() : nullptr;
    }
    case WriteNode::Kind::kMap: {
      if (a.children.empty() || !a.children[0]) return nullptr;
      const ArrayData& entries = *a.children[0];
      const auto k = static_cast<std::size_t>(p.child[d]);
      return k < entries.children.size() ? entries.children[k].get() : nullptr;
    }
    case WriteNode::Kind::kLeaf: break;
  }
  return nullptr;
}

Error not_nullable(const WriteLeaf& leaf, std::int64_t row) {
  return Error(ErrorCode::kInvalidArgument, "Parquet writer: column '" + leaf.buffer_dotted + "': a null in row " +
                                                std::to_string(row) + " of a field declared not nullable");
}

struct Walker {
  const LeafPath& p;
  const WriteLeaf& leaf;
  std::vector<const ArrayData*> arrays;  // per depth
  LeafLevels& out;
  std::int64_t row = 0;
  bool bad = false;

  void emit(std::int16_t def, std::int16_t rep) {
    if (leaf.max_def > 0) out.def.push_back(def);
    out.rep.push_back(rep);
  }

  void visit(std::size_t d, std::int64_t i, std::int16_t rep) {
    const WriteNode& n = *p.nodes[d];
    const ArrayData& a = *arrays[d];
    if (!a.is_valid(i)) {
      if (!n.nullable) {
        bad = true;
        return;
      }
      emit(static_cast<std::int16_t>(n.def - 1), rep);
      return;
    }
    switch (n.kind) {
      case WriteNode::Kind::kLeaf:
        emit(n.def, rep);
        out.positions.push_back(i);
        return;
      case WriteNode::Kind::kStruct:
        visit(d + 1, i, rep);
        return;
      case WriteNode::Kind::kList:
      case WriteNode::Kind::kMap: {
        const auto [b, e] = n.kind == WriteNode::Kind::kList ? a.list_range(i) : a.map_range(i);
        if (b == e) {
          emit(n.def, rep);
          return;
        }
        for (std::int64_t j = b; j < e && !bad; ++j) visit(d + 1, j, j == b ? rep : n.rep);
        return;
      }
    }
  }
};

}  // namespace

void leaf_paths_of(const WriteNode& field, std::vector<LeafPath>& out) {
  LeafPath cur;
  collect(field, cur, out);
}

Status shred(const LeafPath& path, const WriteLeaf& leaf, const ArrayData& column, std::int64_t first_row,
             LeafLevels& out) {
  const std::int64_t n = column.length;
  out.count = 0;
  out.rows = n;
  out.def.clear();
  out.rep.clear();
  out.positions.clear();
  std::vector<const ArrayData*> arrays{&column};
  for (std::size_t d = 0; d + 1 < path.nodes.size(); ++d) {
    const ArrayData* c = child_array(path, d, *arrays.back());
    if (c == nullptr)
      return Error(ErrorCode::kInvalidArgument,
                   "Parquet writer: column '" + leaf.buffer_dotted + "': the array lacks a child its type has");
    arrays.push_back(c);
  }
  out.values = arrays.back();

  if (leaf.max_rep == 0) {
    // No lists: entry i is row i, at position i of every array on the way.
    out.count = n;
    if (leaf.max_def == 0) {
      // Every node required: only check that no array holds a null.
      for (const ArrayData* a : arrays) {
        if (a->null_count == 0 && a->type->id != TypeId::kNull) continue;
        for (std::int64_t i = 0; i < n; ++i)
          if (!a->is_valid(i)) return not_nullable(leaf, first_row + i);
      }
      return ok_status();
    }
    out.def.assign(static_cast<std::size_t>(n), 0);
    std::int16_t* def = out.def.data();
    std::int16_t reached = 0;  // def level of a row all of whose nodes so far are present
    for (std::size_t d = 0; d < arrays.size(); ++d) {
      const WriteNode& node = *path.nodes[d];
      const ArrayData& a = *arrays[d];
      const std::uint8_t* valid = a.validity();
      const bool all_null = a.type->id == TypeId::kNull;
      if (!node.nullable) {
        if (valid == nullptr && !all_null) continue;
        for (std::int64_t i = 0; i < n; ++i)
          if (def[i] == reached && !a.is_valid(i)) return not_nullable(leaf, first_row + i);
        continue;
      }
      if (all_null) break;  // no row goes further
      const std::int16_t next = static_cast<std::int16_t>(reached + 1);
      if (valid == nullptr) {
        for (std::int64_t i = 0; i < n; ++i) def[i] = static_cast<std::int16_t>(def[i] + (def[i] == reached));
      } else {
        const std::int64_t off = a.offset;
        for (std::int64_t i = 0; i < n; ++i) {
          const bool v = (valid[(off + i) >> 3] >> ((off + i) & 7)) & 1;
          def[i] = static_cast<std::int16_t>(def[i] + (def[i] == reached && v));
        }
      }
      reached = next;
    }
    return ok_status();
  }

  Walker w{path, leaf, arrays, out};
  out.rep.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    w.visit(0, i, 0);
    if (w.bad) return not_nullable(leaf, first_row + i);
  }
  out.count = static_cast<std::int64_t>(out.rep.size());
  return ok_status();
}

}  // namespace sluice::parquet
