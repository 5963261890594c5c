"""DRF's OrderingFilter with names in pinyin order: a view lists them in `pinyin_fields` (kernel/collation.py)."""

from rest_framework.filters import OrderingFilter

from kernel.collation import pinyin_ordering


class PinyinOrderingFilter(OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*pinyin_ordering(ordering, getattr(view, "pinyin_fields", ())))
